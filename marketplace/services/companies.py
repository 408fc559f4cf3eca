"""Partner companies: profiles, business numbers, review by exchange managers, and manager memberships."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from sqlalchemy import Select, false, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from marketplace.extensions import STATEMENTS_KEPT, db
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.models import (
    Company,
    CompanyMembership,
    CompanySize,
    CompanyStatus,
    MembershipStatus,
    ProjectGroup,
    Role,
    Sector,
    User,
    company_groups,
)
from marketplace.models.base import utcnow
from marketplace.ownership import (
    can_decide_membership,
    can_review_company,
    can_see_company,
    manages_company,
    reviewable_group_ids,
)
from marketplace.permissions import Permission, user_can
from marketplace.services import account_mail, audit, invitations, search, throttle
from marketplace.services.accounts import find_user_by_email
from marketplace.services.email_confirmation import require_confirmed_email
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound, Reasons
from marketplace.services.identity import clean_display_name, normalize_email
from marketplace.services.notifications import link_to, managers_of_groups, notify_many
from marketplace.services.workflow import StateMachine, claim_for_edit
from marketplace.signals import invitation_accepted

company_machine: StateMachine[CompanyStatus] = StateMachine("company", {
    CompanyStatus.PENDING: {CompanyStatus.APPROVED, CompanyStatus.REJECTED},
    CompanyStatus.APPROVED: {CompanyStatus.SUSPENDED},
    CompanyStatus.SUSPENDED: {CompanyStatus.APPROVED},
    CompanyStatus.REJECTED: {CompanyStatus.PENDING},  # the company edits and resubmits
})

membership_machine: StateMachine[MembershipStatus] = StateMachine("company_membership", {
    MembershipStatus.REQUESTED: {MembershipStatus.ACTIVE, MembershipStatus.DECLINED},
    MembershipStatus.INVITED: {MembershipStatus.ACTIVE},
})

# -- Korean business registration numbers (사업자등록번호) ------------------------------------------

BUSINESS_NUMBER_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_SEPARATORS = re.compile(r"[\s\-‐‑–—.]")


def business_number_check_digit(first_nine: str) -> int:
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, BUSINESS_NUMBER_WEIGHTS)) + (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def is_valid_business_number(digits: str) -> bool:
    return len(digits) == 10 and digits.isascii() and digits.isdigit() \
        and business_number_check_digit(digits[:9]) == int(digits[9])


def normalize_business_number(raw: str) -> str:
    """Ten digits from input with or without hyphens, or DomainError on `business_number`."""
    digits = _SEPARATORS.sub("", raw or "")
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        raise DomainError(
            str(_l("Enter the 10-digit business registration number, e.g. 123-45-67891.")), field="business_number"
        )
    if not is_valid_business_number(digits):
        raise DomainError(
            str(_l("This business registration number is not valid (its check digit does not match). "
                   "Please check it against the registration certificate.")),
            field="business_number",
        )
    return digits


def format_business_number(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


# -- memberships ------------------------------------------------------------------------------------


def active_membership(user: User | None) -> CompanyMembership | None:
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(
        select(CompanyMembership)
        .options(selectinload(CompanyMembership.company).selectinload(Company.partner_groups))
        .where(CompanyMembership.user_id == user.id, CompanyMembership.status == MembershipStatus.ACTIVE)
    )


def open_join_request(user: User) -> CompanyMembership | None:
    return db.session.scalar(
        select(CompanyMembership)
        .options(selectinload(CompanyMembership.company))
        .where(CompanyMembership.user_id == user.id, CompanyMembership.status == MembershipStatus.REQUESTED)
    )


def company_of(user: User | None) -> Company | None:
    """The company this user manages (through an active membership), if any."""
    membership = active_membership(user)
    return membership.company if membership else None


# -- profiles ------------------------------------------------------------------------------------------


@dataclass
class CompanyData:
    name: str
    business_number: str
    sector: str
    size: str
    description: str = ""
    website: str = ""
    address: str = ""
    group_ids: list[int] = field(default_factory=list)
    version: int | None = None  # the version the form was opened on (None: no stale check)


def _clean_website(raw: str) -> str:
    url = (raw or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in url or len(url) > 300:
        raise DomainError(str(_l("Enter a web address such as https://www.example.co.kr.")), field="website")
    return url


def _partner_groups(group_ids: list[int]) -> list[ProjectGroup]:
    wanted = {g for g in group_ids or [] if g is not None}
    groups = list(db.session.scalars(
        select(ProjectGroup).where(ProjectGroup.id.in_(wanted), ProjectGroup.active.is_(True))
    )) if wanted else []
    if not groups or len(groups) != len(wanted):
        raise DomainError(str(_l("Choose at least one of the listed project groups.")), field="group_ids")
    return sorted(groups, key=lambda g: g.code)


def _unique_number(business_number: str, existing: Company | None) -> str:
    number = normalize_business_number(business_number)
    other = db.session.scalar(select(Company).where(Company.business_number == number))
    if other is not None and other is not existing:
        raise Conflict(
            str(_l("A company with this business registration number is already registered. "
                   "If you work there, ask to join it instead.")),
            field="business_number",
        )
    return number


def _validated(data: CompanyData, existing: Company | None) -> dict:
    """The profile's values, or every problem of the form at once (ValidationFailed)."""
    problems = Reasons()
    name = " ".join((data.name or "").split())
    if not name:
        problems.add("name", _l("Enter the company's name."))
    elif len(name) > 200:
        problems.add("name", _l("Use at most %(max)d characters.", max=200))
    number = problems.collect(_unique_number, data.business_number, existing)
    sector = problems.choice(Sector, data.sector, "sector", _l("Choose a sector."))
    size = problems.choice(CompanySize, data.size, "size", _l("Choose the company's size."))
    description = (data.description or "").strip()
    if len(description) > 10000:
        problems.add("description", _l("Use at most %(max)d characters.", max=10000))
    address = " ".join((data.address or "").split())
    if len(address) > 300:
        problems.add("address", _l("Use at most %(max)d characters.", max=300))
    website = problems.collect(_clean_website, data.website)
    partner_groups = problems.collect(_partner_groups, data.group_ids)
    problems.raise_if_any()
    return {
        "name": name, "business_number": number, "sector": sector, "size": size,
        "description": description, "website": website, "address": address,
        "partner_groups": partner_groups,
    }


def _flush_unique() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(
            str(_l("A company with this business registration number is already registered. "
                   "If you work there, ask to join it instead.")),
            field="business_number",
        ) from None


def create_company(actor: User, data: CompanyData) -> Company:
    """A company manager registers their company: it waits, pending, for an exchange manager."""
    if not user_can(actor, Permission.MANAGE_COMPANY):
        raise Forbidden(str(_l("Only company managers can register a company.")))
    require_confirmed_email(actor, _l("Confirm your e-mail address before registering a company: open the link we "
                                      "sent you, or ask for a new one from the banner at the top of the page."))
    if active_membership(actor) is not None:
        raise Conflict(str(_l("You already manage a company.")))
    if open_join_request(actor) is not None:
        raise Conflict(str(_l("You have asked to join a company; wait for the answer before creating another.")))
    values = _validated(data, None)
    company = Company(status=CompanyStatus.PENDING, created_by_id=actor.id, **values)
    db.session.add(company)
    _flush_unique()
    membership = CompanyMembership(
        user_id=actor.id, company_id=company.id, status=MembershipStatus.ACTIVE,
        decided_by_id=actor.id, decided_at=utcnow(),
    )
    db.session.add(membership)
    db.session.flush()
    audit.record(actor, "company", company.id, "registered", None, CompanyStatus.PENDING.value)
    audit.record(actor, "company_membership", membership.id, "founded", None, MembershipStatus.ACTIVE.value)
    _tell_reviewers(company)
    return company


def _tell_reviewers(company: Company, group_ids=None, kind: str = "company_submitted") -> None:
    """The exchange managers of the company's partner groups (or of `group_ids`) hear that it waits for review."""
    notify_many(managers_of_groups(company.partner_group_ids if group_ids is None else group_ids), kind,
                link_to("manager.company", company_id=company.id), company=company.name)


def _tell_managers(company: Company, kind: str, **params) -> None:
    """The company's own active managers hear about its review; params name only their company."""
    notify_many(active_managers(company), kind, link_to("companies.dashboard"), company=company.name, **params)


# An approved company's identity and reach: changing them needs an exchange manager's review.
REVIEWED_FIELDS = ("name", "business_number", "group_ids")


def _group_codes(group_ids) -> str:
    codes = db.session.scalars(select(ProjectGroup.code).where(ProjectGroup.id.in_(list(group_ids or []))))
    return ", ".join(sorted(codes))


def _describe(changes: dict[str, tuple]) -> str:
    """'name: A → B; group_ids: PNU → PNU, SNU' for an audit note."""
    parts = []
    for name, (old, new) in changes.items():
        if name == "group_ids":
            old, new = _group_codes(old), _group_codes(new)
        parts.append(f"{name}: {old} → {new}")
    return "; ".join(parts)


def _current(company: Company, name: str):
    return sorted(company.partner_group_ids) if name == "group_ids" else getattr(company, name)


def update_company(actor: User, company: Company, data: CompanyData) -> Company:
    """Save the profile; a rejected company is resubmitted for review by saving it.

    For an approved company, a new name, business number or set of partner groups does not apply at once: it
    waits in `pending_changes` for an exchange manager (of the old or the new groups) while the approved values
    stay live; everything else applies at once. Each audit entry lists the fields that changed.
    """
    if not manages_company(actor, company):
        raise NotFound(str(_l("No such company.")))
    claim_for_edit(company, data.version)
    if company.status == CompanyStatus.SUSPENDED:
        raise Conflict(str(_l("This company is suspended; contact the exchange manager of your project group.")))
    values = _validated(data, company)
    wanted = {"name": values["name"], "business_number": values["business_number"],
              "group_ids": sorted(g.id for g in values["partner_groups"])}
    direct = {k: v for k, v in values.items() if k not in ("name", "business_number", "partner_groups")}
    changed = {k: (getattr(company, k), v) for k, v in direct.items() if getattr(company, k) != v}
    reviewed = {k: (_current(company, k), v) for k, v in wanted.items() if _current(company, k) != v}
    if company.status != CompanyStatus.APPROVED:
        # Not live yet (waiting, or rejected and resubmitted): every change applies and is reviewed with the rest.
        old_groups = company.partner_group_ids
        renamed = values["name"] != company.name
        for key, value in values.items():
            setattr(company, key, value)
        changed.update(reviewed)
        _flush_unique()
        if renamed:  # the company's name is part of its openings' search documents
            search.reindex_company(company.id)
        if company.status == CompanyStatus.REJECTED:
            company_machine.move(actor, company, CompanyStatus.PENDING, action="resubmitted", note=_describe(changed))
            _tell_reviewers(company)
        else:
            audit.record(actor, "company", company.id, "updated", company.status.value, company.status.value,
                         _describe(changed))
            new_groups = company.partner_group_ids - old_groups
            if new_groups:
                _tell_reviewers(company, new_groups)
        return company
    for key, value in direct.items():
        setattr(company, key, value)
    if changed:
        audit.record(actor, "company", company.id, "updated", company.status.value, company.status.value,
                     _describe(changed))
    pending = {k: new for k, (_old, new) in reviewed.items()} or None
    if pending != (company.pending_changes or None):
        company.pending_changes = pending
        company.changes_submitted_at = utcnow() if pending else None
        if pending:
            company.changes_note = ""
            audit.record(actor, "company", company.id, "changes_submitted", company.status.value,
                         company.status.value, _describe(reviewed))
            _tell_reviewers(company, company.partner_group_ids | set(pending.get("group_ids", [])),
                            kind="company_changes_submitted")
        else:
            audit.record(actor, "company", company.id, "changes_withdrawn", company.status.value,
                         company.status.value)
    db.session.flush()
    return company


def pending_change_rows(company: Company) -> list[tuple[str, str, str]]:
    """(field, approved value, requested value) of the changes waiting for review, for the pages."""
    rows = []
    for name, new in (company.pending_changes or {}).items():
        if name == "group_ids":
            rows.append((name, _group_codes(company.partner_group_ids), _group_codes(new)))
        elif name == "business_number":
            rows.append((name, company.business_number_display, format_business_number(str(new))))
        else:
            rows.append((name, str(getattr(company, name)), str(new)))
    return rows


def approve_company_changes(actor: User, company: Company, note: str = "") -> Company:
    """Apply the waiting name, business number or partner groups; the company's managers are told."""
    _require_reviewer(actor, company)
    pending = dict(company.pending_changes or {})
    if not pending:
        raise Conflict(str(_l("No changes of this company are waiting; nothing was changed.")))
    described = _describe({k: (_current(company, k), v) for k, v in pending.items()})
    if "name" in pending:
        company.name = pending["name"]
        search.reindex_company(company.id)  # the name is part of its openings' search documents
    if "business_number" in pending:
        other = db.session.scalar(select(Company.id).where(Company.business_number == pending["business_number"],
                                                           Company.id != company.id))
        if other is not None:
            raise Conflict(str(_l("Another company is registered with the new business number; decline the "
                                  "changes with a note.")), field="note")
        company.business_number = pending["business_number"]
    if "group_ids" in pending:
        company.partner_groups = _partner_groups(pending["group_ids"])
    company.pending_changes = None
    company.changes_submitted_at = None
    company.changes_note = ""
    _flush_unique()
    note = (note or "").strip()
    audit.record(actor, "company", company.id, "changes_approved", company.status.value, company.status.value,
                 f"{described}\n{note}".strip())
    _decided(actor, company)
    _tell_managers(company, "company_changes_approved")
    return company


def decline_company_changes(actor: User, company: Company, reason: str) -> Company:
    """Drop the waiting changes with a reason the company's managers read; the approved values stay."""
    _require_reviewer(actor, company)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(str(_l("Say why the changes are declined; the company's managers read it.")),
                          field="note")
    if not company.pending_changes:
        raise Conflict(str(_l("No changes of this company are waiting; nothing was changed.")))
    described = _describe({k: (_current(company, k), v) for k, v in company.pending_changes.items()})
    company.pending_changes = None
    company.changes_submitted_at = None
    company.changes_note = reason
    audit.record(actor, "company", company.id, "changes_declined", company.status.value, company.status.value,
                 f"{described}\n{reason}")
    _decided(actor, company)
    _tell_managers(company, "company_changes_declined", reason=reason)
    return company


# -- review by exchange managers -------------------------------------------------------------------------


def _require_reviewer(actor: User, company: Company) -> None:
    if not can_review_company(actor, company):
        raise NotFound(str(_l("No such company.")))


def _decided(actor: User, company: Company) -> None:
    company.reviewed_by_id = actor.id
    company.reviewed_at = utcnow()


def _require_status(company: Company, expected: CompanyStatus, target: CompanyStatus) -> None:
    """Approving and reinstating share a target; each applies from one state only."""
    if company.status != expected:
        raise Conflict(str(_l(
            "This %(record)s is “%(current)s” and cannot become “%(target)s”.",
            record=company_machine.record_name, current=label(company.status), target=label(target),
        )))


def approve_company(actor: User, company: Company, note: str = "") -> Company:
    _require_reviewer(actor, company)
    _require_status(company, CompanyStatus.PENDING, CompanyStatus.APPROVED)
    company_machine.move(actor, company, CompanyStatus.APPROVED, action="approved", note=note.strip())
    company.rejection_reason = ""
    _decided(actor, company)
    _tell_managers(company, "company_approved")
    return company


def reject_company(actor: User, company: Company, reason: str) -> Company:
    _require_reviewer(actor, company)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(str(_l("Say why the company is rejected; its manager will read it.")), field="note")
    company_machine.move(actor, company, CompanyStatus.REJECTED, action="rejected", note=reason)
    company.rejection_reason = reason
    _decided(actor, company)
    _tell_managers(company, "company_rejected", reason=reason)
    return company


def suspend_company(actor: User, company: Company, reason: str) -> Company:
    _require_reviewer(actor, company)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(str(_l("Say why the company is suspended.")), field="note")
    company_machine.move(actor, company, CompanyStatus.SUSPENDED, action="suspended", note=reason)
    company.rejection_reason = reason
    _decided(actor, company)
    return company


def reinstate_company(actor: User, company: Company, note: str = "") -> Company:
    _require_reviewer(actor, company)
    _require_status(company, CompanyStatus.SUSPENDED, CompanyStatus.APPROVED)
    company_machine.move(actor, company, CompanyStatus.APPROVED, action="reinstated", note=note.strip())
    company.rejection_reason = ""
    _decided(actor, company)
    return company


def refuse_if_suspended(company: Company) -> None:
    """A suspended company's pipeline stands still: nothing moves an applicant towards a placement."""
    if company.status == CompanyStatus.SUSPENDED:
        raise Conflict(suspension_message(company))


def suspension_message(company: Company) -> str:
    reason = (company.rejection_reason or "").strip()
    if reason:
        return str(_l("%(company)s is suspended by the exchange managers (reason: %(reason)s); applications to it "
                      "cannot move forward until it is reinstated.", company=company.name, reason=reason))
    return str(_l("%(company)s is suspended by the exchange managers; applications to it cannot move forward "
                  "until it is reinstated.", company=company.name))


# -- joining a company -------------------------------------------------------------------------------------


def request_to_join(actor: User, business_number: str) -> CompanyMembership:
    """A second manager asks to join the company registered under this number."""
    if not user_can(actor, Permission.MANAGE_COMPANY):
        raise Forbidden(str(_l("Only company managers can join a company.")))
    require_confirmed_email(actor, _l("Confirm your e-mail address before joining a company: open the link we "
                                      "sent you, or ask for a new one from the banner at the top of the page."))
    if active_membership(actor) is not None:
        raise Conflict(str(_l("You already manage a company.")), field="business_number")
    if open_join_request(actor) is not None:
        raise Conflict(str(_l("You have already asked to join a company; wait for the answer.")),
                       field="business_number")
    number = normalize_business_number(business_number)
    company = db.session.scalar(select(Company).where(Company.business_number == number))
    if company is None or company.status in (CompanyStatus.REJECTED,):
        raise DomainError(
            str(_l("No company is registered with this number. Check it, or create the company's profile.")),
            field="business_number",
        )
    membership = CompanyMembership(user_id=actor.id, company_id=company.id, status=MembershipStatus.REQUESTED)
    db.session.add(membership)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(str(_l("You have already asked to join a company; wait for the answer.")),
                       field="business_number") from None
    audit.record(actor, "company_membership", membership.id, "requested", None, MembershipStatus.REQUESTED.value)
    return membership


def get_membership_for_decision(actor: User, membership_id: int) -> CompanyMembership:
    membership = db.session.get(CompanyMembership, membership_id)
    if membership is None or not can_decide_membership(actor, membership):
        raise NotFound(str(_l("No such join request.")))
    return membership


def _decide_membership(actor: User, membership: CompanyMembership, target: MembershipStatus, action: str):
    if not can_decide_membership(actor, membership):
        raise NotFound(str(_l("No such join request.")))
    membership_machine.move(actor, membership, target, action=action)
    membership.decided_by_id = actor.id
    membership.decided_at = utcnow()
    return membership


def accept_member(actor: User, membership: CompanyMembership) -> CompanyMembership:
    return _decide_membership(actor, membership, MembershipStatus.ACTIVE, "accepted")


def decline_member(actor: User, membership: CompanyMembership) -> CompanyMembership:
    return _decide_membership(actor, membership, MembershipStatus.DECLINED, "declined")


def join_requests_query(company: Company) -> Select:
    return (
        select(CompanyMembership)
        .options(selectinload(CompanyMembership.user))
        .where(CompanyMembership.company_id == company.id, CompanyMembership.status == MembershipStatus.REQUESTED)
        .order_by(CompanyMembership.requested_at)
    )


def active_managers(company: Company) -> list[User]:
    return list(db.session.scalars(
        select(User).join(CompanyMembership, CompanyMembership.user_id == User.id)
        .where(CompanyMembership.company_id == company.id, CompanyMembership.status == MembershipStatus.ACTIVE)
        .order_by(User.display_name)
    ))


# -- queries -------------------------------------------------------------------------------------------------


def _in_groups(group_ids: frozenset[int] | None):
    if group_ids is None:
        return None
    if not group_ids:
        return false()
    # IN (...) rather than a correlated EXISTS: the database starts from the groups' rows (indexed by group)
    # instead of reading every company.
    return Company.id.in_(select(company_groups.c.company_id).where(company_groups.c.group_id.in_(group_ids)))


def companies_for_reviewer_query(actor: User, status: CompanyStatus | None = None, creators: bool = True,
                                 groups: bool = True) -> Select:
    """Companies partnering with the reviewer's groups (all companies for admins); `creators=False` for lists
    that do not show who registered each (no user rows loaded), `groups=False` for lists that read the groups'
    codes on their own (groups.partner_group_codes)."""
    return companies_of_groups_query(reviewable_group_ids(actor), status, creators, groups)


@lru_cache(maxsize=STATEMENTS_KEPT)
def companies_of_groups_query(group_ids: frozenset[int] | None, status: CompanyStatus | None = None,
                              creators: bool = True, groups: bool = True) -> Select:
    """companies_for_reviewer_query for a scope of groups (None: every group), built once per scope: a select()
    is immutable, and building it and its cache key anew cost more than running it on the console."""
    options = [selectinload(Company.partner_groups)] if groups else []
    if creators:  # joined (one statement); the creators' designations are not shown
        options.append(joinedload(Company.created_by).options(lazyload(User.designations)))
    query = select(Company).options(*options).order_by(Company.created_at, Company.id)
    condition = _in_groups(group_ids)
    if condition is not None:
        query = query.where(condition)
    if status is not None:
        query = query.where(Company.status == status)
    return query


def pending_companies_query(actor: User, groups: bool = True) -> Select:
    return companies_for_reviewer_query(actor, CompanyStatus.PENDING, groups=groups)


_WITH_CHANGES = (select(Company).options(selectinload(Company.partner_groups))  # on every console: built once
                 .where(Company.pending_changes.is_not(None)).order_by(Company.changes_submitted_at, Company.id))


def companies_with_changes(actor: User) -> list[Company]:
    """Approved companies whose new name, number or groups wait, for reviewers of their old or new groups.
    Few at a time, so the requested groups (JSON) are checked here rather than in SQL."""
    found = db.session.scalars(_WITH_CHANGES)
    return [c for c in found if c.pending_changes and can_review_company(actor, c)]


def join_requests_for_reviewer_query(actor: User) -> Select:
    return join_requests_of_groups_query(reviewable_group_ids(actor))


@lru_cache(maxsize=STATEMENTS_KEPT)
def join_requests_of_groups_query(group_ids: frozenset[int] | None) -> Select:
    """Requests to join the companies of a scope of groups (None: every group), built once per scope."""
    query = (
        select(CompanyMembership)
        .join(CompanyMembership.company)
        # the company from the join, the user joined too: one statement (the users' designations are not shown)
        .options(contains_eager(CompanyMembership.company),
                 joinedload(CompanyMembership.user).options(lazyload(User.designations)))
        .where(CompanyMembership.status == MembershipStatus.REQUESTED)
        .order_by(CompanyMembership.requested_at, CompanyMembership.id)
    )
    condition = _in_groups(group_ids)
    return query if condition is None else query.where(condition)


def get_company(company_id: int) -> Company:
    company = db.session.scalar(
        select(Company).options(selectinload(Company.partner_groups)).where(Company.id == company_id)
    )
    if company is None:
        raise NotFound(str(_l("No such company.")))
    return company


def get_company_for_reviewer(actor: User, company_id: int) -> Company:
    company = get_company(company_id)
    _require_reviewer(actor, company)
    return company


def get_visible_company(viewer: User | None, company_id: int) -> Company:
    """Approved companies for everyone; other states only for their managers and reviewers."""
    company = get_company(company_id)
    if not can_see_company(viewer, company):
        raise NotFound(str(_l("No such company.")))
    return company


def membership_with_company(user: User) -> tuple[CompanyMembership | None, CompanyMembership | None]:
    """(active membership, open join request) of a company manager, for their dashboard."""
    return active_membership(user), open_join_request(user)



def public_companies_query() -> Select:
    """Approved companies (what anyone may see), by name, with their partner groups."""
    return (select(Company).options(selectinload(Company.partner_groups))
            .where(Company.status == CompanyStatus.APPROVED).order_by(Company.name, Company.id))


# -- inviting a colleague ----------------------------------------------------------------------------------


def invite_colleague(actor: User, email: str, display_name: str) -> str:
    """A company manager invites a colleague by e-mail; returns the normalised address.

    A new address gets an account with an invited membership and a 7-day link to choose its password; the
    membership becomes active (a manager of the company) when the link is used. An address that has an account
    gets a note telling its owner how to ask to join instead. The inviter hears and sees the same either way (an
    invitee is listed among the managers only once in): no answer tells whether an address is registered.
    Throttled per inviter (INVITATION_RATE_LIMIT), as every invitation sends a mail."""
    membership = active_membership(actor)
    if not user_can(actor, Permission.MANAGE_COMPANY) or membership is None:
        raise Forbidden(str(_l("Only managers of a company can invite colleagues to it.")))
    require_confirmed_email(actor)
    company = membership.company
    problems = Reasons()
    address = problems.collect(normalize_email, email)
    name = problems.collect(clean_display_name, display_name)
    problems.raise_if_any()
    throttle.reserve(throttle.configured("INVITATION_RATE_LIMIT"), f"invitation:{actor.id}")
    user = find_user_by_email(address)
    what = invitations.invitation_sentence("colleague", company=company.name)
    if user is None:
        user = invitations.create_invited_account(actor, address, name, Role.COMPANY_MANAGER)
        member = CompanyMembership(user_id=user.id, company_id=company.id, status=MembershipStatus.INVITED,
                                   decided_by_id=actor.id, decided_at=utcnow())
        db.session.add(member)
        db.session.flush()
        audit.record(actor, "company_membership", member.id, "invited", None, MembershipStatus.INVITED.value)
        invitations.send_invitation(actor, user, what)
    elif invitations.awaiting_first_password(user) and _invited_membership(user, company) is not None:
        invitations.send_invitation(actor, user, what)  # invited before and not in yet: a fresh link
    elif user.role == Role.COMPANY_MANAGER and user.active and active_membership(user) is None:
        account_mail.colleague_invitation_for_existing(user, actor, company.name, company.business_number_display)
    return address


def _invited_membership(user: User, company: Company | None = None) -> CompanyMembership | None:
    query = select(CompanyMembership).where(CompanyMembership.user_id == user.id,
                                            CompanyMembership.status == MembershipStatus.INVITED)
    if company is not None:
        query = query.where(CompanyMembership.company_id == company.id)
    return db.session.scalars(query.order_by(CompanyMembership.id.desc())).first()


@invitation_accepted.connect
def _join_on_acceptance(user: User) -> None:
    """The invited colleague chose their password: they now manage the company they were invited to."""
    membership = _invited_membership(user)
    if membership is not None and active_membership(user) is None:
        membership_machine.move(user, membership, MembershipStatus.ACTIVE, action="invitation_accepted")
