"""Translated labels of the company and opening enums, shared by forms and templates (the `label` filter)."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from marketplace.models import (
    CompanySize,
    CompanyStatus,
    DegreeLevel,
    Importance,
    MembershipStatus,
    OpeningKind,
    OpeningStatus,
    Sector,
    WorkMode,
)

def _keyed(mapping: dict) -> dict:
    """Keys by (enum class, value): str enums of different classes with the same value compare equal, and
    an application's "rejected" must not read as a company's "Rejected"."""
    return {(type(member), member.value): text for member, text in mapping.items()}


LABELS: dict[tuple[type, str], object] = _keyed({
    Sector.PHARMACEUTICAL: _l("Pharmaceutical"),
    Sector.MEDICAL_DEVICES: _l("Medical devices"),
    Sector.DIGITAL_HEALTH: _l("Digital health"),
    Sector.HOSPITAL: _l("Hospital"),
    Sector.BIO_VENTURE: _l("Bio-venture"),
    Sector.OTHER: _l("Other"),
    CompanySize.MICRO: _l("1–9 employees"),
    CompanySize.SMALL: _l("10–49 employees"),
    CompanySize.MEDIUM: _l("50–299 employees"),
    CompanySize.LARGE: _l("300–999 employees"),
    CompanySize.ENTERPRISE: _l("1,000 or more employees"),
    CompanyStatus.PENDING: _l("Pending review"),
    CompanyStatus.APPROVED: _l("Approved"),
    CompanyStatus.REJECTED: _l("Rejected"),
    CompanyStatus.SUSPENDED: _l("Suspended"),
    MembershipStatus.REQUESTED: _l("Requested"),
    MembershipStatus.ACTIVE: _l("Active"),
    MembershipStatus.DECLINED: _l("Declined"),
    OpeningKind.INTERNSHIP: _l("Internship"),
    OpeningKind.RESEARCH_PROJECT: _l("Research project"),
    OpeningKind.PRACTICE_COURSE: _l("Practice course"),
    OpeningStatus.DRAFT: _l("Draft"),
    OpeningStatus.IN_REVIEW: _l("In review"),
    OpeningStatus.PUBLISHED: _l("Published"),
    OpeningStatus.RETURNED: _l("Returned"),
    OpeningStatus.CLOSED: _l("Closed"),
    WorkMode.ONSITE: _l("On-site"),
    WorkMode.HYBRID: _l("Hybrid"),
    WorkMode.REMOTE: _l("Remote"),
    Importance.MUST: _l("Must have"),
    Importance.SHOULD: _l("Should have"),
    Importance.NICE: _l("Nice to have"),
    DegreeLevel.BACHELOR: _l("Bachelor"),
    DegreeLevel.MASTER: _l("Master"),
    DegreeLevel.PHD: _l("PhD"),
})

BADGES: dict[tuple[type, str], str] = _keyed({
    CompanyStatus.PENDING: "text-bg-warning",
    CompanyStatus.APPROVED: "text-bg-success",
    CompanyStatus.REJECTED: "text-bg-danger",
    CompanyStatus.SUSPENDED: "text-bg-secondary",
    MembershipStatus.REQUESTED: "text-bg-warning",
    MembershipStatus.ACTIVE: "text-bg-success",
    MembershipStatus.DECLINED: "text-bg-secondary",
    OpeningStatus.DRAFT: "text-bg-light border",
    OpeningStatus.IN_REVIEW: "text-bg-warning",
    OpeningStatus.PUBLISHED: "text-bg-success",
    OpeningStatus.RETURNED: "text-bg-danger",
    OpeningStatus.CLOSED: "text-bg-secondary",
})

LEVEL_LABELS = {
    1: _l("1 – basic"), 2: _l("2 – working"), 3: _l("3 – solid"), 4: _l("4 – advanced"), 5: _l("5 – expert"),
}


def label(value) -> str:
    if isinstance(value, enum.Enum):
        return str(LABELS.get((type(value), value.value), value.value))
    return "" if value is None else str(value)


def badge_class(value) -> str:
    if isinstance(value, enum.Enum):
        return BADGES.get((type(value), value.value), "text-bg-secondary")
    return "text-bg-secondary"


def register(labels: dict, badges: dict) -> None:
    """Other features add the labels and badges of their own enums."""
    LABELS.update(_keyed(labels))
    BADGES.update(_keyed(badges))


def choices(enum_cls: type[enum.Enum]) -> list[tuple[str, str]]:
    return [(member.value, label(member)) for member in enum_cls]


def level_choices() -> list[tuple[str, str]]:
    return [(str(n), str(text)) for n, text in LEVEL_LABELS.items()]
