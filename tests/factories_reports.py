"""A small programme with known report figures: two terms a year apart (2024-1 and 2025-1), two groups."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from marketplace.extensions import db
from marketplace.models import (
    ApplicationStatus,
    ComplianceOverride,
    OpeningKind,
    PlacementStatus,
    PracticeDay,
    PracticeWeek,
    User,
    WeekStatus,
)
from tests.factories import make_admin, make_exchange_manager, make_group, make_student
from tests.factories_applications import give_skills
from tests.factories_companies import make_company, make_opening
from tests.factories_placements import make_application, make_placement


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 3, 0, tzinfo=timezone.utc)  # noon in Seoul


@dataclass
class ReportWorld:
    pnu: object
    snu: object
    admin: User
    xm_pnu: User
    xm_snu: User
    ids: dict


def build_report_world() -> ReportWorld:
    pnu, snu = make_group("PNU"), make_group("SNU")
    admin = make_admin()
    xm_pnu, xm_snu = make_exchange_manager(pnu, admin=admin), make_exchange_manager(snu, admin=admin)
    company_a = make_company(groups=[pnu], reviewer=xm_pnu, name="에이 메디컬")
    company_b = make_company(groups=[pnu], reviewer=xm_pnu, name="Bee Health")
    company_c = make_company(groups=[snu], reviewer=xm_snu, name="Cee Devices")
    anyone = dict(degree_levels=[], majors=[])
    a_2024 = make_opening(company_a, reviewer=xm_pnu, **anyone)
    a_2025 = make_opening(company_a, reviewer=xm_pnu, **anyone)
    b_2025 = make_opening(company_b, reviewer=xm_pnu, kind=OpeningKind.RESEARCH_PROJECT.value, **anyone)
    c_2025 = make_opening(company_c, reviewer=xm_snu, **anyone)
    late = make_opening(company_b, reviewer=xm_pnu, **anyone)  # published after the term: counted nowhere here
    for opening, when in ((a_2024, at(2024, 3, 5)), (a_2025, at(2025, 3, 2)), (b_2025, at(2025, 4, 1)),
                          (c_2025, at(2025, 3, 15)), (late, at(2025, 9, 3))):
        opening.published_at = when
    s1 = make_student(pnu, degree_level="master", major="Medicine")
    s2 = make_student(pnu, degree_level="phd", major="Nursing")
    s3 = make_student(snu, degree_level="bachelor", major="Data Science")
    s4 = make_student(pnu, degree_level="master", major="Medicine")
    give_skills(s1, [("Python", 4)])
    give_skills(s3, [("Python", 3)])
    db.session.commit()

    app_s1_a = make_application(s1, a_2025, created_at=at(2025, 3, 10))
    app_s2_b = make_application(s2, b_2025, created_at=at(2025, 4, 1))
    make_application(s1, b_2025, status=ApplicationStatus.SUBMITTED, created_at=at(2025, 4, 2))
    app_s3_c = make_application(s3, c_2025, created_at=at(2025, 5, 1))
    app_s4_a = make_application(s4, a_2024, created_at=at(2024, 4, 1))
    make_application(s4, late, status=ApplicationStatus.SUBMITTED, created_at=at(2025, 9, 5))  # next term

    def placed(application, status, start, decided):
        placement = make_placement(application=application, status=status, start=start, end=date(start.year, 12, 1),
                                   decided_by=xm_pnu)
        placement.decided_at = decided
        db.session.commit()
        return placement

    p1 = placed(app_s1_a, PlacementStatus.COMPLETED, date(2025, 6, 1), at(2025, 3, 20))  # 10 days
    p2 = placed(app_s2_b, PlacementStatus.APPROVED, date(2025, 7, 1), at(2025, 4, 5))  # 4 days
    p3 = placed(app_s3_c, PlacementStatus.CANCELLED, date(2025, 6, 15), at(2025, 5, 3))
    p4 = placed(app_s4_a, PlacementStatus.COMPLETED, date(2024, 6, 1), at(2024, 4, 11))
    db.session.add_all([
        ComplianceOverride(subject_type="placement", subject_id=p1.id, rule="min_wage", reason="Agreed",
                           terms_hash="x" * 64, created_by_id=xm_pnu.id, created_at=at(2025, 5, 10)),
        ComplianceOverride(subject_type="opening", subject_id=c_2025.id, rule="remote_share", reason="Agreed",
                           terms_hash="y" * 64, created_by_id=xm_snu.id, created_at=at(2025, 3, 14)),
    ])
    # weekly logs: p1 has a confirmed week of two 8-hour days (16 h), p2 a submitted one (not confirmed: not counted)
    for placement, status in ((p1, WeekStatus.CONFIRMED), (p2, WeekStatus.SUBMITTED), (p4, WeekStatus.CONFIRMED)):
        week = PracticeWeek(placement_id=placement.id, week_no=1, starts_on=placement.start_date, status=status)
        week.days = [PracticeDay(day=placement.start_date + timedelta(days=i), start_time=time(9), end_time=time(18),
                                 break_minutes=60, minutes=480) for i in range(2 if placement is not p4 else 1)]
        db.session.add(week)
    db.session.commit()
    return ReportWorld(pnu, snu, admin, xm_pnu, xm_snu, ids=dict(
        p1=p1.id, p2=p2.id, p3=p3.id, p4=p4.id, a_2025=a_2025.id, b_2025=b_2025.id, c_2025=c_2025.id,
        company_a=company_a.id, company_b=company_b.id, company_c=company_c.id, s1=s1.id, s2=s2.id))
