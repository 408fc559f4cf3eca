"""Translated labels and badge classes of every enum the pages show: one table, registered in templating.py."""
from __future__ import annotations

import enum
import re

from marketplace.clock import today_in_seoul
from marketplace.i18n import current_locale
from marketplace.i18n import gettext as _
from marketplace.i18n import lazy_gettext as _l
from marketplace.i18n import ngettext
from marketplace.models import (
    AgreementParty,
    ApplicationStatus,
    DataAccess,
    DataSource,
    Deidentification,
    DuaStatus,
    InsuranceKind,
    IrbStatus,
    CompanySize,
    CompanyStatus,
    ComplianceStatus,
    ContestStatus,
    ConsultationMode,
    DegreeLevel,
    Importance,
    MemberStatus,
    MembershipStatus,
    OpeningKind,
    OpeningStatus,
    PlacementStatus,
    PracticeType,
    ProblemStatus,
    ProposalStatus,
    Role,
    RoundStatus,
    Sector,
    VerificationStatus,
    VerifiedVia,
    WeekStatus,
    WorkMode,
)


def _keyed(*mappings: dict) -> dict:
    """Keys by (enum class, value): str enums of different classes with the same value compare equal, and
    an application's "rejected" must not read as a company's "Rejected". One mapping per enum, for the same
    reason: in one dict literal ApplicationStatus.REJECTED would overwrite CompanyStatus.REJECTED."""
    return {(type(member), member.value): text for mapping in mappings for member, text in mapping.items()}


LABELS: dict[tuple[type, str], object] = _keyed(
    {  # the same words as the contest pages' badges (templates/contests/_contest.html)
        ContestStatus.DRAFT: _l("Draft"),
        ContestStatus.OPEN: _l("Open"),
        ContestStatus.JUDGING: _l("Judging"),
        ContestStatus.RESULTS_PUBLISHED: _l("Results published"),
    },
    {
        ProblemStatus.PROPOSED: _l("Waiting for the organisers"),
        ProblemStatus.ACCEPTED: _l("Accepted"),
        ProblemStatus.RETURNED: _l("Returned"),
    },
    {
        MemberStatus.INVITED: _l("Invited"),
        MemberStatus.MEMBER: _l("Team member"),
        MemberStatus.DECLINED: _l("Declined"),
    },
    {
        WeekStatus.DRAFT: _l("Draft"),
        WeekStatus.SUBMITTED: _l("Awaiting confirmation"),
        WeekStatus.CONFIRMED: _l("Confirmed"),
        WeekStatus.RETURNED: _l("Returned for correction"),
    },
    {
        InsuranceKind.INDUSTRIAL_ACCIDENT: _l("Industrial-accident insurance (산재보험)"),
        InsuranceKind.UNIVERSITY_ACCIDENT: _l("University accident insurance (상해보험)"),
    },
    {
        AgreementParty.STUDENT: _l("the student"),
        AgreementParty.COMPANY: _l("the host company"),
        AgreementParty.UNIVERSITY: _l("the university"),
    },
    {
        DataSource.HOSPITAL: _l("Hospital data"),
        DataSource.PUBLIC_DATASET: _l("Public data set"),
        DataSource.SYNTHETIC: _l("Synthetic data"),
        DataSource.NONE: _l("No patient data"),
    },
    {
        IrbStatus.APPROVED: _l("IRB approved"),
        IrbStatus.PENDING: _l("IRB pending"),
        IrbStatus.NOT_NEEDED: _l("IRB not needed"),
    },
    {
        DuaStatus.SIGNED: _l("Data-use agreement signed"),
        DuaStatus.PENDING: _l("Data-use agreement pending"),
        DuaStatus.NOT_NEEDED: _l("No data-use agreement needed"),
    },
    {
        Deidentification.IDENTIFIED: _l("Identified (not de-identified)"),
        Deidentification.PSEUDONYMISED: _l("Pseudonymised (가명처리)"),
        Deidentification.ANONYMISED: _l("Anonymised (익명처리)"),
        Deidentification.NOT_APPLICABLE: _l("Not applicable"),
    },
    {
        DataAccess.ONSITE: _l("On site at the host"),
        DataAccess.HOSPITAL_ENCLAVE: _l("Hospital secure enclave"),
        DataAccess.CLOUD: _l("Cloud"),
    },
    {
        Sector.PHARMACEUTICAL: _l("Pharmaceutical"),
        Sector.MEDICAL_DEVICES: _l("Medical devices"),
        Sector.DIGITAL_HEALTH: _l("Digital health"),
        Sector.HOSPITAL: _l("Hospital"),
        Sector.BIO_VENTURE: _l("Bio-venture"),
        Sector.OTHER: _l("Other"),
    },
    {
        CompanySize.MICRO: _l("1–9 employees"),
        CompanySize.SMALL: _l("10–49 employees"),
        CompanySize.MEDIUM: _l("50–299 employees"),
        CompanySize.LARGE: _l("300–999 employees"),
        CompanySize.ENTERPRISE: _l("1,000 or more employees"),
    },
    {
        CompanyStatus.PENDING: _l("Pending review"),
        CompanyStatus.APPROVED: _l("Approved"),
        CompanyStatus.REJECTED: _l("Rejected"),
        CompanyStatus.SUSPENDED: _l("Suspended"),
    },
    {
        MembershipStatus.REQUESTED: _l("Requested"),
        MembershipStatus.INVITED: _l("Invited"),
        MembershipStatus.ACTIVE: _l("Active"),
        MembershipStatus.DECLINED: _l("Declined"),
    },
    {
        OpeningKind.INTERNSHIP: _l("Internship"),
        OpeningKind.RESEARCH_PROJECT: _l("Research project"),
        OpeningKind.PRACTICE_COURSE: _l("Practice course"),
    },
    {
        OpeningStatus.DRAFT: _l("Draft"),
        OpeningStatus.IN_REVIEW: _l("In review"),
        OpeningStatus.PUBLISHED: _l("Published"),
        OpeningStatus.RETURNED: _l("Returned"),
        OpeningStatus.CLOSED: _l("Closed"),
    },
    {
        WorkMode.ONSITE: _l("On-site"),
        WorkMode.HYBRID: _l("Hybrid"),
        WorkMode.REMOTE: _l("Remote"),
    },
    {
        PracticeType.STANDARD: _l("Standard practice (표준)"),
        PracticeType.AUTONOMOUS: _l("Autonomous practice (자율)"),
    },
    {
        ComplianceStatus.COMPLIANT: _l("Compliant"),
        ComplianceStatus.WARNINGS: _l("Warnings"),
        ComplianceStatus.BLOCKED: _l("Blocked"),
        ComplianceStatus.OVERRIDDEN: _l("Overridden"),
    },
    {
        Importance.MUST: _l("Must have"),
        Importance.SHOULD: _l("Should have"),
        Importance.NICE: _l("Nice to have"),
    },
    {
        DegreeLevel.BACHELOR: _l("Bachelor"),
        DegreeLevel.MASTER: _l("Master"),
        DegreeLevel.PHD: _l("PhD"),
    },
    {
        VerificationStatus.UNVERIFIED: _l("Not verified"),
        VerificationStatus.VERIFIED: _l("Verified"),
        VerificationStatus.DECLINED: _l("Declined"),
    },
    {
        VerifiedVia.EMAIL_DOMAIN: _l("University e-mail address"),
        VerifiedVia.ROSTER: _l("Group roster"),
        VerifiedVia.MANAGER: _l("Exchange manager"),
    },
    {
        ApplicationStatus.SUBMITTED: _l("Submitted"),
        ApplicationStatus.SHORTLISTED: _l("Shortlisted"),
        ApplicationStatus.OFFERED: _l("Offer made"),
        ApplicationStatus.ACCEPTED: _l("Offer accepted"),
        ApplicationStatus.DECLINED: _l("Offer declined"),
        ApplicationStatus.REJECTED: _l("Not successful"),
        ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
    },
    {
        PlacementStatus.PENDING: _l("Awaiting approval"),
        PlacementStatus.APPROVED: _l("Approved"),
        PlacementStatus.RETURNED: _l("Returned"),
        PlacementStatus.ACTIVE: _l("Active"),
        PlacementStatus.COMPLETED: _l("Completed"),
        PlacementStatus.CANCELLED: _l("Cancelled"),
        PlacementStatus.NOT_COMPLETED: _l("Not completed"),
    },
    {
        RoundStatus.OPEN: _l("Open for ranking"),
        RoundStatus.MATCHED: _l("Run, not published"),
        RoundStatus.PUBLISHED: _l("Published"),
    },
    {
        ProposalStatus.PROPOSED: _l("Proposed"),
        ProposalStatus.APPROVED: _l("Approved"),
        ProposalStatus.FAILED: _l("Could not be approved"),
    },
    {
        ConsultationMode.IN_PERSON: _l("In person"),
        ConsultationMode.VIDEO: _l("Video call"),
        ConsultationMode.PHONE: _l("Phone"),
        ConsultationMode.EMAIL: _l("E-mail"),
    },
    {
        Role.STUDENT: _l("Student"),
        Role.COMPANY_MANAGER: _l("Company manager"),
        Role.EXCHANGE_MANAGER: _l("Exchange manager"),
        Role.ADMIN: _l("Programme office"),
        Role.MENTOR: _l("Mentor professor"),
    },
)

BADGES: dict[tuple[type, str], str] = _keyed(
    {
        CompanyStatus.PENDING: "text-bg-warning",
        CompanyStatus.APPROVED: "text-bg-success",
        CompanyStatus.REJECTED: "text-bg-danger",
        CompanyStatus.SUSPENDED: "text-bg-secondary",
    },
    {
        WeekStatus.DRAFT: "text-bg-light border",
        WeekStatus.SUBMITTED: "text-bg-warning",
        WeekStatus.CONFIRMED: "text-bg-success",
        WeekStatus.RETURNED: "text-bg-danger",
    },
    {
        MembershipStatus.REQUESTED: "text-bg-warning",
        MembershipStatus.INVITED: "text-bg-info",
        MembershipStatus.ACTIVE: "text-bg-success",
        MembershipStatus.DECLINED: "text-bg-secondary",
    },
    {
        OpeningStatus.DRAFT: "text-bg-light border",
        OpeningStatus.IN_REVIEW: "text-bg-warning",
        OpeningStatus.PUBLISHED: "text-bg-success",
        OpeningStatus.RETURNED: "text-bg-danger",
        OpeningStatus.CLOSED: "text-bg-secondary",
    },
    {
        ApplicationStatus.SUBMITTED: "text-bg-info",
        ApplicationStatus.SHORTLISTED: "text-bg-primary",
        ApplicationStatus.OFFERED: "text-bg-warning",
        ApplicationStatus.ACCEPTED: "text-bg-success",
        ApplicationStatus.DECLINED: "text-bg-secondary",
        ApplicationStatus.REJECTED: "text-bg-danger",
        ApplicationStatus.WITHDRAWN: "text-bg-light border",
    },
    {
        PlacementStatus.PENDING: "text-bg-warning",
        PlacementStatus.APPROVED: "text-bg-success",
        PlacementStatus.RETURNED: "text-bg-danger",
        PlacementStatus.ACTIVE: "text-bg-primary",
        PlacementStatus.COMPLETED: "text-bg-secondary",
        PlacementStatus.CANCELLED: "text-bg-dark",
        PlacementStatus.NOT_COMPLETED: "text-bg-danger",
    },
    {
        ComplianceStatus.COMPLIANT: "text-bg-success",
        ComplianceStatus.WARNINGS: "text-bg-warning",
        ComplianceStatus.BLOCKED: "text-bg-danger",
        ComplianceStatus.OVERRIDDEN: "text-bg-info",
    },
    {
        RoundStatus.OPEN: "text-bg-info",
        RoundStatus.MATCHED: "text-bg-warning",
        RoundStatus.PUBLISHED: "text-bg-success",
    },
    {
        ProposalStatus.PROPOSED: "text-bg-light border",
        ProposalStatus.APPROVED: "text-bg-success",
        ProposalStatus.FAILED: "text-bg-danger",
    },
)

# An application's outcome once its accepted offer became a placement: both sides see these wherever the
# application appears (lists, detail pages), instead of an "Offer accepted" that no longer tells the story.
PLACEMENT_OUTCOMES = {
    PlacementStatus.PENDING: _l("Placement awaiting approval"),
    PlacementStatus.APPROVED: _l("Placement approved"),
    PlacementStatus.RETURNED: _l("Placement returned"),
    PlacementStatus.ACTIVE: _l("Placement active"),
    PlacementStatus.COMPLETED: _l("Placement completed"),
    PlacementStatus.CANCELLED: _l("Placement cancelled"),
}

LEVEL_LABELS = {
    1: _l("1 – basic"), 2: _l("2 – working"), 3: _l("3 – solid"), 4: _l("4 – advanced"), 5: _l("5 – expert"),
}

# Why a round placed a student where it did (codes from services/rounds.py), as sentences.
ROUND_OUTCOMES = {
    "matched": _l("Matched here."),
    "higher_choice_matched": _l("Not needed: a higher choice was matched."),
    "filled_by_higher_ranked": _l("All seats went to applicants the company ranked higher."),
    "not_acceptable": _l("The company marked this applicant as not acceptable."),
    "excluded": _l("Excluded by the exchange manager."),
    "no_seats": _l("No seats were left in this opening when the round was run."),
}

NEUTRAL_BADGE = "text-bg-secondary"


def label(value) -> str:
    """An enum member in the reader's language; anything else as text."""
    if isinstance(value, enum.Enum):
        return str(LABELS.get((type(value), value.value), value.value))
    return "" if value is None else str(value)


def badge_class(value) -> str:
    if isinstance(value, enum.Enum):
        return BADGES.get((type(value), value.value), NEUTRAL_BADGE)
    return NEUTRAL_BADGE


def _as(enum_cls: type[enum.Enum], value):
    """A member of enum_cls from a member or its stored string (as audit events keep it), else None."""
    try:
        return enum_cls(value)
    except ValueError:
        return None


def application_status(value) -> str:
    """An application status, enum or stored string, in the reader's language (unknown strings as they are)."""
    if value is None:
        return ""
    member = _as(ApplicationStatus, value)
    return label(member) if member is not None else str(value)


def application_badge(value) -> str:
    return badge_class(_as(ApplicationStatus, value))


def _placement_now(placement) -> PlacementStatus:
    return placement.status_on(today_in_seoul())


def placement_outcome(placement) -> str:
    """"Placement approved" etc., as of today in Seoul (a started approved placement reads as active)."""
    return str(PLACEMENT_OUTCOMES[_placement_now(placement)]) if placement is not None else ""


def placement_badge(placement) -> str:
    return badge_class(_placement_now(placement)) if placement is not None else NEUTRAL_BADGE


def round_outcome(code: str) -> str:
    return str(ROUND_OUTCOMES.get(code, code))


def choices(enum_cls: type[enum.Enum]) -> list[tuple[str, str]]:
    return [(member.value, label(member)) for member in enum_cls]


def level_choices() -> list[tuple[str, str]]:
    return [(str(n), str(text)) for n, text in LEVEL_LABELS.items()]


# -- dates and times ------------------------------------------------------------------------------------------------

# Babel's Korean "short" reads "26. 11. 29. PM 8:30" (CLDR's abbreviated day period is AM/PM); Korean pages say
# 오전/오후 (the wide day period, "aaaa") and the full year. Other languages keep Babel's own formats.
DATETIME_PATTERNS = {
    "ko": {"short": "yyyy. M. d. aaaa h:mm", "medium": "yyyy. M. d. aaaa h:mm", "long": "yyyy년 M월 d일 aaaa h:mm"},
}


def datetime_pattern(fmt: str = "medium") -> str:
    """The pattern (or Babel format name) for a date and time in the reader's language."""
    return DATETIME_PATTERNS.get(str(current_locale() or "ko"), {}).get(fmt, fmt)


# -- the audit trail: record types, actions, states and system notes, in the reader's language -------------------

ENTITY_TYPES = {
    "company": _l("Company"),
    "company_membership": _l("Company membership"),
    "opening": _l("Opening"),
    "application": _l("Application"),
    "placement": _l("Placement"),
    "designation": _l("Exchange manager designation"),
    "user": _l("Account"),
    "project_group": _l("Project group"),
    "matching_round": _l("Matching round"),
    "student_profile": _l("Student profile"),
    "outbox_email": _l("E-mail"),
    "api_token": _l("API token"),
    "compliance_rules": _l("Practice rules"),
    "agreement_clause": _l("Agreement clause"),
    "practice_week": _l("Practice log week"),
    "course_plan": _l("Course plan"),
    "mentor_profile": _l("Mentor profile"),
    "placement_mentor": _l("Placement's mentor"),
    "consultation_note": _l("Consultation note"),
    "evaluation_rubric": _l("Evaluation rubric"),
    "certificate": _l("Certificate of completion"),
    "contest": _l("Contest"),
    "contest_problem": _l("Contest problem"),
    "contest_team": _l("Contest team"),
    "forum_thread": _l("Forum thread"),
    "forum_post": _l("Forum post"),
}

# Which status enum an entity's from/to states belong to (stored as the enum's value).
STATE_ENUMS: dict[str, type[enum.Enum]] = {
    "company": CompanyStatus,
    "company_membership": MembershipStatus,
    "opening": OpeningStatus,
    "application": ApplicationStatus,
    "placement": PlacementStatus,
    "matching_round": RoundStatus,
    "practice_week": WeekStatus,
    "user": Role,
    "contest": ContestStatus,
    "contest_problem": ProblemStatus,
    "contest_team": MemberStatus,
}

# States of records without a status enum (designations, groups, accounts, e-mails).
OTHER_STATES = {
    "active": _l("Active"),
    "inactive": _l("Inactive"),
    "revoked": _l("Revoked"),
    "failed": _l("Failed"),
    "waiting": _l("Waiting"),
    "sent": _l("Sent"),
    # forum threads and posts
    "visible": _l("Visible"),
    "hidden": _l("Hidden"),
    "open": _l("Open"),
    "locked": _l("Locked"),
    "announcement": _l("Announcement"),
    "question": _l("Question"),
    "discussion": _l("Discussion"),
}

ACTIONS = {
    "accepted": _l("Accepted"),
    "activated": _l("Activated"),
    "agreement_acknowledged": _l("Agreement acknowledged"),
    "agreement_scan_uploaded": _l("Signed agreement uploaded"),
    "agreement_voided": _l("Acknowledgements voided (terms changed)"),
    "clinical_data_saved": _l("Clinical-data readiness saved"),
    "edited": _l("Edited"),
    "evaluation_student_host": _l("Student evaluated the host"),
    "evaluation_supervisor_final": _l("Final evaluation by the host supervisor"),
    "evaluation_supervisor_midterm": _l("Mid-term evaluation by the host supervisor"),
    "insurance_recorded": _l("Insurance recorded"),
    "mentor_assigned": _l("Mentor assigned"),
    "mentor_reassigned": _l("Mentor reassigned"),
    "mentor_graded": _l("Academic grade given"),
    "approved": _l("Approved"),
    "cancelled": _l("Cancelled"),
    "certificate_issued": _l("Certificate of completion issued"),
    "certificate_revoked": _l("Certificate of completion revoked"),
    "closed": _l("Closed"),
    "completed": _l("Completed"),
    "compliance_overridden": _l("Practice rules overridden"),
    "confirmed": _l("Confirmed"),
    "course_plan_chosen": _l("Course plan chosen"),
    "created": _l("Created"),
    "cv_deleted": _l("CV deleted"),
    "cv_replaced": _l("CV replaced"),
    "cv_uploaded": _l("CV uploaded"),
    "deactivated": _l("Deactivated"),
    "declined": _l("Declined"),
    "designated": _l("Designated"),
    "founded": _l("Registered the company"),
    "groups_changed": _l("Project groups changed"),
    "holidays_updated": _l("Public holidays updated"),
    "in_review": _l("Submitted for review"),
    "not_completed": _l("Closed as not completed"),
    "offered": _l("Offer made"),
    "pair_excluded": _l("Pair excluded"),
    "password_changed": _l("Password changed"),
    "proposal_approved": _l("Proposal approved"),
    "proposal_failed": _l("Proposal could not be approved"),
    "published": _l("Published"),
    "registered": _l("Registered"),
    "reinstated": _l("Reinstated"),
    "rejected": _l("Rejected"),
    "requested": _l("Requested"),
    "rerun": _l("Run again"),
    "resubmitted": _l("Resubmitted"),
    "retry": _l("Retry requested"),
    "returned": _l("Returned"),
    "revoked": _l("Revoked"),
    "run": _l("Round run"),
    "sent_back_to_review": _l("Sent back to review"),
    "shortlisted": _l("Shortlisted"),
    "submitted": _l("Submitted"),
    "suspended": _l("Suspended"),
    "terms_changed": _l("Terms changed"),
    "updated": _l("Updated"),
    "verification_declined": _l("Verification declined"),
    "verification_withdrawn": _l("Verification withdrawn (group or degree level changed)"),
    "verified": _l("Verified as a student of the group"),
    "roster_imported": _l("Roster imported"),
    "rubric_item_added": _l("Competency added to the rubric"),
    "rubric_item_changed": _l("Competency of the rubric changed"),
    "withdrawn": _l("Withdrawn"),
    # contests
    "moved_open": _l("Contest opened"),
    "moved_judging": _l("Judging started"),
    "moved_results_published": _l("Results published"),
    "proposed": _l("Problem proposed"),
    "revised": _l("Problem revised"),
    "criterion_added": _l("Rubric criterion added"),
    "criterion_removed": _l("Rubric criterion removed"),
    "judge_invited": _l("Judge invited"),
    "judges_assigned": _l("Judges assigned"),
    "chose": _l("Track or problem chosen"),
    "conflict_declared": _l("Conflict of interest declared"),
    "invited": _l("Invited"),
    "invited_to_opening": _l("Invited to apply to an opening"),
    "joined": _l("Joined"),
    "scored": _l("Scored"),
    # the forum
    "hidden": _l("Hidden by a moderator"),
    "unhidden": _l("Shown again"),
    "locked": _l("Locked"),
    "unlocked": _l("Unlocked"),
    "answered": _l("Marked answered"),
    "answer_cleared": _l("Answer mark cleared"),
}

# Notes the system writes (not typed by a person), as sentences in the reader's language.
SYSTEM_NOTES = {
    "requirements or seats changed": _l("requirements or seats changed"),
    "start date reached": _l("start date reached"),
    "terms fail the practice rules": _l("terms fail the practice rules"),
}
_SKILLS_NOTE = re.compile(r"^(\d+) skills$")
_TENURE_NOTE = re.compile(r"^(.*); (\d+)y$")
_FIGURES_NOTE = re.compile(r"^matched (\d+)/(\d+) students, (\d+)/(\d+) seats, first choice (\d+)$")
_PROPOSAL_NOTE = re.compile(r"^proposal (\d+): (.*)$", re.S)


def record_type(entity_type: str) -> str:
    return str(ENTITY_TYPES.get(entity_type, entity_type))


def record_name(entity_type: str, entity_id) -> str:
    """"Opening #11" / "공고 #11"."""
    return _("%(record)s #%(id)s", record=record_type(entity_type), id=entity_id)


def record_type_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(text)) for code, text in ENTITY_TYPES.items()), key=lambda choice: choice[1])


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(text)) for code, text in ACTIONS.items()), key=lambda choice: choice[1])


def record_state(entity_type: str, value) -> str:
    """A from/to state of an audit event in the reader's language ("—" when there is none)."""
    if value in (None, ""):
        return "—"
    enum_cls = STATE_ENUMS.get(entity_type)
    member = _as(enum_cls, value) if enum_cls else None
    if member is not None:
        return label(member)
    return str(OTHER_STATES.get(value, value))


def record_action(action: str) -> str:
    return str(ACTIONS.get(action, action))


def audit_note(note: str | None) -> str:
    """A system note translated (people's notes are shown as typed)."""
    if not note:
        return ""
    if note in SYSTEM_NOTES:
        return str(SYSTEM_NOTES[note])
    if match := _SKILLS_NOTE.match(note):
        n = int(match.group(1))
        return ngettext("%(num)d skill", "%(num)d skills", n)
    if match := _TENURE_NOTE.match(note):
        return _("%(groups)s; %(n)s years of tenure", groups=match.group(1), n=match.group(2))
    if match := _FIGURES_NOTE.match(note):
        matched, students, filled, seats, first = match.groups()
        return _("%(matched)s of %(students)s students matched, %(filled)s of %(seats)s seats filled, "
                 "%(first)s got their first choice", matched=matched, students=students, filled=filled,
                 seats=seats, first=first)
    if match := _PROPOSAL_NOTE.match(note):
        return _("proposal %(id)s: %(message)s", id=match.group(1), message=match.group(2))
    return note


FILTERS = {
    "placement_outcome": placement_outcome,
    "placement_badge": placement_badge,
    "record_type": record_type,
    "record_state": record_state,
    "record_action": record_action,
    "audit_note": audit_note,
    "label": label,
    "badge": badge_class,
    "app_status": application_status,
    "app_badge": application_badge,
    "round_outcome": round_outcome,
}
