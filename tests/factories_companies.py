"""Factory functions for companies and openings, built through the real services."""
from __future__ import annotations

from datetime import date, timedelta

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Company, Opening, OpeningStatus, User
from marketplace.services import companies, compliance, openings
from tests.factories import make_company_manager, make_exchange_manager, make_group, unique


def business_number(seed: int | None = None) -> str:
    """A valid 10-digit business registration number (check digit computed)."""
    base = f"{(seed if seed is not None else int(unique('')) * 7919) % 1_000_000_000:09d}"
    return base + str(companies.business_number_check_digit(base))


def company_data(groups=None, **overrides) -> companies.CompanyData:
    groups = groups if groups is not None else [make_group("PNU")]
    values = dict(
        name="Company " + unique(""), business_number=business_number(), sector="digital_health", size="10-49",
        description="We build clinical decision support.", website="https://example.co.kr",
        address="Busan, Haeundae-gu", group_ids=[g.id for g in groups],
    )
    values.update(overrides)
    return companies.CompanyData(**values)


def make_company(manager: User | None = None, groups=None, approved: bool = True, reviewer: User | None = None,
                 **overrides) -> Company:
    """A company (approved by default) managed by `manager` (a new company manager if None)."""
    groups = groups if groups is not None else [make_group("PNU")]
    manager = manager or make_company_manager()
    company = companies.create_company(manager, company_data(groups, **overrides))
    db.session.commit()
    if approved:
        reviewer = reviewer or make_exchange_manager(*groups)
        companies.approve_company(reviewer, company)
        db.session.commit()
    return company


def manager_of(company: Company) -> User:
    return companies.active_managers(company)[0]


def opening_data(company: Company, **overrides) -> openings.OpeningData:
    today = today_in_seoul()
    values = dict(
        kind="internship", title="Medical imaging intern " + unique(""),
        description="Segment CT scans with PyTorch.", seats=2, work_mode="hybrid", location="Busan",
        start_date=today + timedelta(days=60), end_date=today + timedelta(days=150), hours_per_week=20,
        stipend_krw=1_500_000, deadline=today + timedelta(days=30), supervisor_name="Dr. Kim",
        skills=[openings.SkillRequirement("Python", "must", 3), openings.SkillRequirement("PyTorch", "should", 2)],
        group_ids=[g.id for g in company.partner_groups], degree_levels=["master", "phd"],
        majors=["Biomedical Engineering", "Medicine"],
    )
    values.update(overrides)
    return openings.OpeningData(**values)


def make_opening(company: Company | None = None, status: OpeningStatus = OpeningStatus.PUBLISHED,
                 reviewer: User | None = None, compliance_override: bool = True, **overrides) -> Opening:
    """An opening of `company`, moved through the real workflow up to `status`."""
    company = company or make_company()
    manager = manager_of(company)
    opening = openings.create_opening(manager, opening_data(company, **overrides))
    db.session.commit()
    if status == OpeningStatus.DRAFT:
        return opening
    openings.submit_opening(manager, opening)
    db.session.commit()
    if status == OpeningStatus.IN_REVIEW:
        return opening
    reviewer = reviewer or make_exchange_manager(*company.partner_groups)
    if status == OpeningStatus.RETURNED:
        openings.return_opening(reviewer, opening, "Please add the supervisor's department.")
    else:
        if compliance_override and compliance.check(opening).blocking:
            # Tests about other things publish unpaid or remote openings: the reviewer lets the practice rules
            # pass, as a manager would (tests/services/test_compliance.py pins the rules themselves).
            compliance.record_override(reviewer, opening, "Agreed with the programme office.")
        openings.publish_opening(reviewer, opening)
        if status == OpeningStatus.CLOSED:
            openings.close_opening(manager, opening)
    db.session.commit()
    return opening


def past(days: int = 1) -> date:
    return today_in_seoul() - timedelta(days=days)
