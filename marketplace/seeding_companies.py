"""Demo partner companies and their published openings (seeds/demo_companies.json). Idempotent."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from marketplace import ownership
from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Company, CompanyStatus, Opening, Role, User
from marketplace.services import accounts, companies, groups, openings

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _load() -> dict:
    return json.loads((SEEDS / "demo_companies.json").read_text(encoding="utf-8"))


def _manager(spec: dict, password: str):
    user = accounts.find_user_by_email(spec["email"])
    if user is None:
        user = accounts.register_company_manager(spec["email"], password, spec.get("name") or spec["email"],
                                                 email_confirmed=True)
    return user


def _group_ids(codes: list[str]) -> list[int]:
    return [groups.find_group_by_code(code).id for code in codes]


def _opening_data(spec: dict) -> openings.OpeningData:
    today = today_in_seoul()
    start = today + timedelta(days=spec["start_days"])
    return openings.OpeningData(
        kind=spec["kind"], title=spec["title"], description=spec["description"], seats=spec["seats"],
        work_mode=spec["work_mode"], location=spec.get("location", ""), start_date=start,
        end_date=start + timedelta(days=spec["duration_days"]), hours_per_week=spec["hours_per_week"],
        stipend_krw=spec["stipend_krw"], deadline=today + timedelta(days=spec["deadline_days"]),
        supervisor_name=spec["supervisor_name"],
        skills=[openings.SkillRequirement(name, importance, level) for name, importance, level in spec["skills"]],
        group_ids=_group_ids(spec["groups"]), degree_levels=spec.get("degree_levels", []),
        majors=spec.get("majors", []),
        practice_type=spec.get("practice_type", "standard"), schedule=spec.get("schedule"),
        education_share_pct=spec.get("education_share_pct", 0), remote_share_pct=spec.get("remote_share_pct"),
        supervisor_contact=spec.get("supervisor_contact", ""),
    )


def seed_demo_companies() -> int:
    """Approved demo companies with published openings; the demo company manager runs the first one."""
    data = _load()
    password = json.loads((SEEDS / "demo.json").read_text(encoding="utf-8"))["password"]
    office = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id))
    created = 0
    for spec in data["companies"]:
        number = companies.normalize_business_number(spec["business_number"])
        company = db.session.scalar(select(Company).where(Company.business_number == number))
        manager = _manager(spec["manager"], password)
        if company is None:
            company = companies.create_company(manager, companies.CompanyData(
                name=spec["name"], business_number=number, sector=spec["sector"], size=spec["size"],
                description=spec["description"], website=spec.get("website", ""), address=spec.get("address", ""),
                group_ids=_group_ids(spec["groups"]),
            ))
            created += 1
        if company.status == CompanyStatus.PENDING:
            companies.approve_company(office, company, "Demo partner")
        if not ownership.manages_company(manager, company):
            continue  # the account manages another company already; leave it be
        for opening_spec in spec["openings"]:
            exists = db.session.scalar(
                select(Opening.id).where(Opening.company_id == company.id, Opening.title == opening_spec["title"])
            )
            if exists:
                continue
            opening = openings.create_opening(manager, _opening_data(opening_spec))
            openings.submit_opening(manager, opening)
            openings.publish_opening(office, opening, "Demo opening")
            created += 1
    db.session.flush()
    return created
