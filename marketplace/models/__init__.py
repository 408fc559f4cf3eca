"""Typed SQLAlchemy models, one module per aggregate; imported here so Alembic sees them all."""
from marketplace.models.account_tokens import AccountToken, TokenPurpose
from marketplace.models.applications import (
    SEAT_HOLDING,
    Application,
    ApplicationStatus,
    Placement,
    PlacementStatus,
)
from marketplace.models.attempts import AttemptCounter
from marketplace.models.audit import AuditEvent
from marketplace.models.cache import CacheStamp
from marketplace.models.companies import (
    Company,
    CompanyMembership,
    CompanySize,
    CompanyStatus,
    MembershipStatus,
    Sector,
    company_groups,
)
from marketplace.models.compliance import (
    ComplianceOverride,
    ComplianceRuleSet,
    ComplianceStatus,
    PracticeType,
    PublicHoliday,
)
from marketplace.models.files import JobRun, StoredFile
from marketplace.models.groups import Major, ProjectGroup, Track
from marketplace.models.openings import (
    Importance,
    Opening,
    OpeningKind,
    OpeningSearch,
    OpeningSkill,
    OpeningStatus,
    WorkMode,
    opening_groups,
)
from marketplace.models.notifications import DailyDigest, EmailPreference, Notification, OutboxEmail
from marketplace.models.rounds import (
    MatchingRound,
    ProposalStatus,
    RoundCompanyRank,
    RoundExclusion,
    RoundPreference,
    RoundProposal,
    RoundStatus,
    round_openings,
)
from marketplace.models.roster import RosterEntry, RosterImport, RosterImportStatus
from marketplace.models.students import StudentSkill
from marketplace.models.tokens import ApiToken
from marketplace.models.users import (
    DegreeLevel,
    Designation,
    Role,
    StudentProfile,
    User,
    VerificationStatus,
    VerifiedVia,
    designation_groups,
)

__all__ = [
    "ApiToken",
    "JobRun",
    "StoredFile",
    "AccountToken",
    "TokenPurpose",
    "AttemptCounter",
    "SEAT_HOLDING",
    "Application",
    "ApplicationStatus",
    "MatchingRound",
    "DailyDigest",
    "EmailPreference",
    "Notification",
    "OutboxEmail",
    "Placement",
    "PlacementStatus",
    "ProposalStatus",
    "RoundCompanyRank",
    "RoundExclusion",
    "RoundPreference",
    "RoundProposal",
    "RoundStatus",
    "round_openings",
    "StudentSkill",
    "RosterEntry",
    "RosterImport",
    "RosterImportStatus",
    "VerificationStatus",
    "VerifiedVia",
    "AuditEvent",
    "CacheStamp",
    "ComplianceOverride",
    "ComplianceRuleSet",
    "ComplianceStatus",
    "PracticeType",
    "PublicHoliday",
    "Company",
    "CompanyMembership",
    "CompanySize",
    "CompanyStatus",
    "Importance",
    "MembershipStatus",
    "Opening",
    "OpeningKind",
    "OpeningSearch",
    "OpeningSkill",
    "OpeningStatus",
    "Sector",
    "WorkMode",
    "company_groups",
    "opening_groups",
    "DegreeLevel",
    "Designation",
    "Major",
    "ProjectGroup",
    "Role",
    "StudentProfile",
    "Track",
    "User",
    "designation_groups",
]
