"""Demo companies and openings: valid, approved, published, never expired, and seeded only once."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Company, CompanyStatus, Opening, OpeningStatus
from marketplace.seeding import seed_demo, seed_groups
from marketplace.services import companies, openings


def test_demo_seed_adds_approved_companies_and_published_openings_once(app):
    seed_groups()
    first = seed_demo()
    db.session.commit()
    company_count = db.session.scalar(select(func.count()).select_from(Company))
    opening_count = db.session.scalar(select(func.count()).select_from(Opening))
    assert 4 <= company_count <= 6 and 8 <= opening_count <= 12
    assert db.session.scalar(select(func.count()).select_from(Company)
                             .where(Company.status != CompanyStatus.APPROVED)) == 0
    published = list(db.session.scalars(openings.public_openings_query(openings.parse_filters({"open": "1"}))))
    assert len(published) == opening_count
    assert all(o.status == OpeningStatus.PUBLISHED and o.skills for o in published)
    assert any(s.skill_id == "pytorch" for o in published for s in o.skills)

    demo_manager = companies.active_managers(db.session.scalar(select(Company).order_by(Company.id)))
    assert "company@demo.medai-exchange.kr" in [u.email for u in demo_manager]

    assert seed_demo() == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Opening)) == opening_count
    assert first > 0
