"""Ownership rules: who may see or act on a company, opening, application, placement or round, declared once.

`permissions.py` says what a role may do anywhere; this module says on which records. Services call these
predicates before they read or write; templates get them, bound to the signed-in user, from `templating.py`
(the names in TEMPLATE_RULES), so a page never decides access by itself. A predicate answers for the record
it is given; the services' scoped queries (`reviewable_group_ids`) apply the same rules to many rows at once.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    Company,
    CompanyMembership,
    CompanyStatus,
    MatchingRound,
    MembershipStatus,
    Opening,
    OpeningStatus,
    Placement,
    StudentProfile,
    User,
    VerificationStatus,
)
from marketplace.permissions import Permission, can_review_group, user_can

# -- exchange managers: their project groups -------------------------------------------------------------------


def reviewable_group_ids(user: User | None) -> frozenset[int] | None:
    """None means every group (admins); otherwise the groups the user reviews (may be empty)."""
    if user_can(user, Permission.ADMINISTER):
        return None
    if user_can(user, Permission.REVIEW_EXCHANGES):
        return user.managed_group_ids
    return frozenset()


def company_review_group_ids(company: Company) -> frozenset[int]:
    """The groups whose managers review a company: its partner groups, and those it asks to add (changes
    waiting for review, Company.pending_changes), so the new groups' managers can decide too."""
    requested = (company.pending_changes or {}).get("group_ids") or []
    return company.partner_group_ids | frozenset(int(g) for g in requested)


def can_review_company(user: User | None, company: Company) -> bool:
    """Managers of one of the company's partner groups, or of a group it asks to add (and admins), approve,
    suspend and read it."""
    return any(can_review_group(user, group_id) for group_id in company_review_group_ids(company)) \
        or user_can(user, Permission.ADMINISTER)


def can_review_opening(user: User | None, opening: Opening) -> bool:
    """Managers of a group the opening is open to (and admins) review it."""
    if user_can(user, Permission.ADMINISTER):
        return True
    return any(can_review_group(user, group.id) for group in opening.eligible_groups)


def _placement_group_id(placement: Placement) -> int | None:
    profile = placement.student.student_profile if placement.student else None
    return profile.group_id if profile else None


def can_review_placement(user: User | None, placement: Placement) -> bool:
    """Only a manager of the student's project group (or an admin) decides on a student's placement."""
    if user_can(user, Permission.ADMINISTER):
        return True
    group_id = _placement_group_id(placement)
    return group_id is not None and can_review_group(user, group_id)


def can_edit_placement_terms(user: User | None, placement: Placement) -> bool:
    """The host company's managers and the placement's reviewers adjust its practice terms before approval."""
    return can_review_placement(user, placement) or manages_company(user, placement.opening.company)


def can_manage_round(user: User | None, matching_round: MatchingRound) -> bool:
    """Run, review, approve, publish a matching round: managers of the round's group and admins."""
    return can_review_group(user, matching_round.group_id)


# -- company managers: their own company ---------------------------------------------------------------------


def manages_company(user: User | None, company: Company) -> bool:
    """A company manager with an active membership of this company."""
    if not user_can(user, Permission.MANAGE_COMPANY):
        return False
    return db.session.scalar(
        select(exists().where(
            CompanyMembership.user_id == user.id,
            CompanyMembership.company_id == company.id,
            CompanyMembership.status == MembershipStatus.ACTIVE,
        ))
    )


def can_decide_membership(user: User | None, membership: CompanyMembership) -> bool:
    """A join request is decided by the company's managers or its reviewers."""
    return manages_company(user, membership.company) or can_review_company(user, membership.company)


# -- everyone: what is public ------------------------------------------------------------------------------


def _signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_see_company(viewer: User | None, company: Company) -> bool:
    """Approved companies for everyone; other states only for their managers and reviewers."""
    if company.status == CompanyStatus.APPROVED:
        return True
    return _signed_in(viewer) and (manages_company(viewer, company) or can_review_company(viewer, company))


def is_public_opening(opening: Opening) -> bool:
    """Published by an approved company: listed and readable by everyone."""
    return opening.status == OpeningStatus.PUBLISHED and opening.company.status == CompanyStatus.APPROVED


def can_see_opening(viewer: User | None, opening: Opening) -> bool:
    """Public openings for everyone; others only for their company's managers and their reviewers."""
    if is_public_opening(opening):
        return True
    return _signed_in(viewer) and (manages_company(viewer, opening.company) or can_review_opening(viewer, opening))


# -- applications and the records' history ------------------------------------------------------------------


def is_own_application(user: User | None, application: Application) -> bool:
    """The student who applied (while they may apply at all) acts on their application."""
    return user is not None and application.student_id == user.id and user_can(user, Permission.APPLY)


def shares_profile_with_company(status: ApplicationStatus) -> bool:
    """Consent to share the profile, statement and CV with the company ends when the student withdraws:
    from then on the company sees that the application was withdrawn, and nothing of the student's."""
    return status != ApplicationStatus.WITHDRAWN


def can_see_cv(viewer: User | None, application: Application) -> bool:
    """The student, managers of the company applied to (while the application stands), and exchange
    managers of the student's group (admins too)."""
    if not _signed_in(viewer):
        return False
    profile = application.student.student_profile
    if profile is None:
        return False
    if viewer.id == application.student_id:
        return True
    if can_review_group(viewer, profile.group_id):
        return True
    # Companies never see an unverified student (services/verification.py), their CV included.
    return shares_profile_with_company(application.status) and \
        profile.verification_status == VerificationStatus.VERIFIED and \
        manages_company(viewer, application.opening.company)


def _student_group_id(student_id: int) -> int | None:
    return db.session.scalar(select(StudentProfile.group_id).where(StudentProfile.user_id == student_id))


def can_read_record(actor: User | None, entity_type: str, entity_id: int) -> bool:
    """A reviewer reads the history of companies/openings of their groups and of their students' applications
    and placements (applications also when the opening is open to one of their groups)."""
    if not user_can(actor, Permission.REVIEW_EXCHANGES):
        return False
    if entity_type == "company":
        record = db.session.get(Company, entity_id)
        return record is not None and can_review_company(actor, record)
    if entity_type == "opening":
        record = db.session.get(Opening, entity_id)
        return record is not None and can_review_opening(actor, record)
    if entity_type == "application":
        record = db.session.get(Application, entity_id)
        if record is None:
            return False
        group_id = _student_group_id(record.student_id)
        return (group_id is not None and can_review_group(actor, group_id)) or can_review_opening(actor, record.opening)
    if entity_type == "placement":
        record = db.session.get(Placement, entity_id)
        if record is None:
            return False
        group_id = _student_group_id(record.student_id)
        return user_can(actor, Permission.ADMINISTER) or (group_id is not None and can_review_group(actor, group_id))
    return False


# -- the practice agreement: its three parties ----------------------------------------------------------------


def agreement_party(user: User | None, placement: Placement):
    """For which party `user` acknowledges this placement's agreement: the student themself, a manager of the
    host company, or an exchange manager designated for the student's group (not the programme office, which
    reads it). None for anyone else."""
    from marketplace.models import AgreementParty

    if not _signed_in(user):
        return None
    if user.id == placement.student_id and user_can(user, Permission.APPLY):
        return AgreementParty.STUDENT
    if manages_company(user, placement.opening.company):
        return AgreementParty.COMPANY
    group_id = _placement_group_id(placement)
    if group_id is not None and user_can(user, Permission.REVIEW_EXCHANGES) and group_id in user.managed_group_ids:
        return AgreementParty.UNIVERSITY
    return None


def can_see_agreement(user: User | None, placement: Placement) -> bool:
    """The three parties and the student's reviewers (admins too) read the agreement, its insurance and scans."""
    return agreement_party(user, placement) is not None or can_review_placement(user, placement)


def can_record_insurance(user: User | None, placement: Placement, kind) -> bool:
    """The host's managers record its industrial-accident insurance (산재보험); the student's reviewers the
    university's accident insurance (상해보험)."""
    from marketplace.models import InsuranceKind

    if kind == InsuranceKind.INDUSTRIAL_ACCIDENT:
        return manages_company(user, placement.opening.company)
    return can_review_placement(user, placement)


def can_edit_clinical_data(user: User | None, opening: Opening) -> bool:
    """A company's managers declare the clinical-data readiness of its openings."""
    return manages_company(user, opening.company)


# The rules a template may ask, each called with the signed-in user first (see templating.py).
TEMPLATE_RULES = {
    "can_review_group": can_review_group,
    "can_review_company": can_review_company,
    "can_review_opening": can_review_opening,
    "can_review_placement": can_review_placement,
    "can_edit_placement_terms": can_edit_placement_terms,
    "can_manage_round": can_manage_round,
    "manages_company": manages_company,
    "can_decide_membership": can_decide_membership,
    "can_see_company": can_see_company,
    "can_see_opening": can_see_opening,
    "is_own_application": is_own_application,
    "can_see_cv": can_see_cv,
    "agreement_party": agreement_party,
    "can_see_agreement": can_see_agreement,
    "can_record_insurance": can_record_insurance,
}
