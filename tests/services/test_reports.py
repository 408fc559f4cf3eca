"""Programme report figures checked against seeded data: each figure, year-on-year change, scope, periods and the
constant number of queries."""
from __future__ import annotations

from datetime import date

import pytest

from marketplace.extensions import db
from marketplace.models import User
from marketplace.services import reports
from marketplace.services.errors import DomainError, NotFound
from tests.factories_reports import at, build_report_world
from tests.factories_placements import make_application, make_placement
from tests.factories import make_student

TERM = reports.Period(2025, 1)


@pytest.fixture
def world(app):
    return build_report_world()


def test_periods_are_terms_and_years_in_seoul():
    assert (TERM.start, TERM.end) == (date(2025, 3, 1), date(2025, 8, 31))
    second = reports.parse_period("2024-2", date(2026, 1, 1))
    assert (second.start, second.end) == (date(2024, 9, 1), date(2025, 2, 28))
    assert reports.parse_period("2024", date(2026, 1, 1)).end == date(2024, 12, 31)
    assert reports.parse_period("", date(2026, 1, 15)).key == "2025-2"
    assert reports.parse_period(" ", date(2026, 4, 15)).key == "2026-1"
    assert TERM.previous().key == "2024-1"
    assert TERM.starts_at.isoformat() == "2025-03-01T00:00:00+09:00"


@pytest.mark.parametrize("bad", ["2025-3", "25", "2025-01", "spring", "1999", "2025-1; drop", "９９９９"])
def test_unknown_periods_are_refused_on_the_field(bad):
    with pytest.raises(DomainError) as caught:
        reports.parse_period(bad, date(2026, 1, 1))
    assert caught.value.field == "period"


def test_each_figure_of_a_group_managers_term_and_the_year_before(world):
    report = reports.report(world.xm_pnu, None, TERM)
    cur, prev = report.current, report.previous
    assert (cur.companies, cur.companies_new, cur.companies_returning) == (2, 1, 1)
    assert cur.openings == 2 and cur.openings_by_kind == {"internship": 1, "research_project": 1,
                                                          "practice_course": 0}
    assert cur.applications == 3 and cur.applications_by_status["accepted"] == 2
    assert cur.applications_by_status["submitted"] == 1
    assert cur.students == 2
    assert [(code, n) for _gid, code, n in cur.students_by_group] == [("PNU", 2)]
    assert cur.students_by_degree == {"bachelor": 0, "master": 1, "phd": 1}
    assert sorted(cur.students_by_major) == [("Medicine", 1), ("Nursing", 1)]
    assert (cur.placements_approved, cur.placements_in_progress, cur.placements_completed,
            cur.placements_not_completed, cur.placements_cancelled) == (2, 1, 1, 0, 0)
    assert cur.median_days_to_approval == 7.0
    assert cur.overrides == 1
    assert (cur.confirmed_hours, prev.confirmed_hours) == (16.0, 8.0)
    python = next(s for s in cur.skills if s.name == "Python")
    assert (python.openings, python.students) == (2, 1)
    # the same term a year earlier
    assert (prev.companies, prev.companies_new, prev.companies_returning) == (1, 1, 0)
    assert (prev.openings, prev.applications, prev.students, prev.placements_approved) == (1, 1, 1, 1)
    assert (prev.placements_completed, prev.median_days_to_approval, prev.overrides) == (1, 10.0, 0)
    assert report.change("applications") == (2, 200.0)
    assert report.change("companies_returning") == (1, None)  # nothing to compare with
    assert report.change("median_days_to_approval") == (-3.0, -30.0)


def test_the_whole_programme_for_the_office_and_one_group_of_it(world):
    cur = reports.report(world.admin, None, TERM).current
    assert (cur.companies, cur.companies_new, cur.openings, cur.applications, cur.students) == (3, 2, 3, 4, 3)
    assert (cur.placements_approved, cur.placements_cancelled, cur.overrides) == (3, 1, 2)
    assert [code for _g, code, _n in cur.students_by_group] == ["PNU", "SNU"]
    python = next(s for s in cur.skills if s.name == "Python")
    assert (python.openings, python.students) == (3, 2)
    snu = reports.report(world.admin, world.snu.id, TERM).current
    assert (snu.companies, snu.openings, snu.applications, snu.students, snu.placements_approved) == (1, 1, 1, 1, 1)
    assert snu.overrides == 1


def test_a_calendar_year_counts_both_terms_days(world):
    cur = reports.report(world.admin, None, reports.Period(2025, None)).current
    assert cur.openings == 4  # the September opening too
    assert cur.applications == 5


def test_managers_reach_only_their_groups(world):
    with pytest.raises(NotFound):
        reports.report(world.xm_snu, world.pnu.id, TERM)
    with pytest.raises(NotFound):
        reports.report(world.admin, 987654, TERM)
    assert reports.report(world.xm_snu, world.snu.id, TERM).current.students == 1


def test_satisfaction_averages_the_periods_evaluations_of_hosts_by_the_scopes_students(world):
    from marketplace.models import Evaluation, EvaluationKind, Placement

    assert reports.report(world.admin, None, TERM).current.satisfaction == {}
    for key, values, when in (("p1", dict(learning=4, supervision=5, environment=3, would_recommend=True), at(2025, 8, 1)),
                              ("p2", dict(learning=2, supervision=3, environment=5, would_recommend=False), at(2025, 8, 20)),
                              ("p4", dict(learning=1, supervision=1, environment=1, would_recommend=False), at(2024, 8, 1))):
        placement = db.session.get(Placement, world.ids[key])
        db.session.add(Evaluation(placement_id=placement.id, kind=EvaluationKind.STUDENT_HOST,
                                  author_id=placement.student_id, submitted_at=when, **values))
    db.session.commit()
    current = reports.report(world.admin, None, TERM).current.satisfaction
    assert current == {"answers": 2, "learning": 3.0, "supervision": 4.0, "environment": 4.0, "recommend_share": 50.0}
    assert reports.report(world.admin, None, TERM).previous.satisfaction["answers"] == 1  # 2024's, a year before
    assert reports.report(world.admin, world.snu.id, TERM).current.satisfaction == {}  # not SNU's students


def test_the_report_runs_a_constant_number_of_queries(world, count_queries):
    def fresh_admin():
        db.session.commit()
        db.session.expire_all()
        admin = db.session.get(User, world.admin.id)
        assert admin.role and admin.designations == []  # loaded before counting
        return admin

    admin = fresh_admin()
    with count_queries() as first:
        reports.report(admin, None, TERM)
    # more of everything: the same statements
    for _ in range(3):
        student = make_student(world.pnu, major="Radiology")
        application = make_application(student, created_at=at(2025, 4, 20))
        placement = make_placement(application=application, status=reports.PlacementStatus.ACTIVE,
                                   start=date(2025, 5, 1))
        placement.decided_at = at(2025, 4, 25)
    admin = fresh_admin()
    with count_queries() as second:
        more = reports.report(admin, None, TERM)
    assert more.current.placements_approved == 6
    assert len(second) == len(first) <= 30, "\n".join(s[:150] for s in second)
