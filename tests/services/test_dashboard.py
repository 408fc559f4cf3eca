"""Dashboard numbers checked against seeded data: per group, overall, scoping and skills."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.app import create_app
from marketplace.extensions import db
from marketplace.models import Application, ApplicationStatus, Opening, OpeningStatus, PlacementStatus, ProjectGroup
from marketplace.models.base import utcnow
from marketplace.services import dashboard, openings
from tests.factories import make_admin, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening
from tests.factories_placements import add_skills, make_application, make_placement


@pytest.fixture
def seeded(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu, snu])
    req = openings.SkillRequirement
    a = make_opening(company, seats=2, group_ids=[pnu.id], skills=[req("Python", "must", 3), req("PyTorch", "should", 2)])
    b = make_opening(company, seats=3, group_ids=[pnu.id, snu.id], skills=[req("Python", "must", 3), req("DICOM", "nice", 1)])
    c = make_opening(company, OpeningStatus.CLOSED, seats=1, group_ids=[snu.id], skills=[req("R", "must", 2)])
    make_opening(company, OpeningStatus.IN_REVIEW, seats=9, group_ids=[pnu.id, snu.id])  # not counted
    s1, s2, s3 = (make_student(pnu) for _ in range(3))
    s4 = make_student(snu)
    base = utcnow() - timedelta(days=30)

    def placed(student, opening, status, days):
        application = make_application(student, opening, created_at=base)
        placement = make_placement(application=application, status=status)
        placement.decided_at = base + timedelta(days=days)
        db.session.commit()

    placed(s1, a, PlacementStatus.APPROVED, 2)
    make_application(s2, a, status=ApplicationStatus.OFFERED)
    make_application(s3, b, status=ApplicationStatus.SUBMITTED)
    placed(s4, b, PlacementStatus.ACTIVE, 4)
    placed(s4, c, PlacementStatus.COMPLETED, 9)
    add_skills(s1, ("Python", "python", 4))
    add_skills(s2, ("Python", "python", 3), ("R", "r", 2))
    add_skills(s4, ("Python", "python", 5), ("DICOM", "dicom", 2))
    return pnu, snu


def test_numbers_per_group_and_overall_for_the_programme_office(seeded):
    pnu, snu = seeded
    d = dashboard.dashboard(make_admin())
    rows = {n.group.code: n for n in d.groups}
    p, s, o = rows["PNU"], rows["SNU"], d.overall
    assert (p.openings_published, p.seats, p.seats_held, p.fill_rate) == (2, 5, 2, 0.4)
    assert (p.applications, p.offers, p.approved, p.active, p.completed) == (3, 2, 1, 0, 0)
    assert p.median_days_to_approval == 2.0
    assert (s.openings_published, s.seats, s.seats_held, s.fill_rate) == (2, 4, 2, 0.5)
    assert (s.applications, s.offers, s.approved, s.active, s.completed) == (2, 2, 0, 1, 1)
    assert s.median_days_to_approval == 6.5
    assert (o.openings_published, o.seats, o.seats_held, o.fill_rate) == (3, 6, 3, 0.5)
    assert (o.applications, o.offers, o.approved, o.active, o.completed) == (5, 4, 1, 1, 1)
    assert o.median_days_to_approval == 4.0


def test_top_requested_skills_against_skills_students_have(seeded):
    d = dashboard.dashboard(make_admin())
    assert [(s.name, s.requested, s.students) for s in d.requested_skills] == \
        [("Python", 2, 3), ("DICOM", 1, 1), ("PyTorch", 1, 0)]
    assert [(s.name, s.students, s.requested) for s in d.student_skills] == \
        [("Python", 3, 2), ("DICOM", 1, 1), ("R", 1, 0)]


def test_an_exchange_manager_sees_only_their_groups(seeded):
    pnu, snu = seeded
    d = dashboard.dashboard(make_exchange_manager(pnu))
    assert [n.group.code for n in d.groups] == ["PNU"] and [g.code for g in d.available_groups] == ["PNU"]
    assert (d.overall.openings_published, d.overall.seats, d.overall.applications) == (2, 5, 3)
    assert [(s.name, s.students) for s in d.requested_skills] == [("Python", 2), ("DICOM", 0), ("PyTorch", 0)]
    # a filter naming another group is ignored rather than leaking it
    assert [n.group.code for n in dashboard.dashboard(make_exchange_manager(pnu), snu.id).groups] == ["PNU"]


def test_the_admin_filters_one_group(seeded):
    pnu, snu = seeded
    d = dashboard.dashboard(make_admin(), snu.id)
    assert d.selected_group.code == "SNU" and [n.group.code for n in d.groups] == ["SNU"]
    assert (d.overall.openings_published, d.overall.seats, d.overall.seats_held) == (2, 4, 2)


def test_an_empty_programme_shows_zeros(app):
    make_group("PNU")
    d = dashboard.dashboard(make_admin())
    assert d.overall.fill_rate is None and d.overall.median_days_to_approval is None
    assert d.requested_skills == [] and d.student_skills == []


def _statements(count_queries, actor) -> int:
    db.session.commit()
    _ = actor.role  # reload the actor outside the count
    with count_queries() as statements:
        dashboard.dashboard(actor)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_groups(app, count_queries):
    admin = make_admin()
    group = make_group("PNU")
    make_opening(make_company(groups=[group]))
    few = _statements(count_queries, admin)
    for code in ("SNU", "SKKU", "AJOU", "HALLYM"):
        group = make_group(code)
        make_opening(make_company(groups=[group]))
        make_student(group)
    assert _statements(count_queries, admin) == few <= 12


def _published(seeded_group):
    return db.session.scalars(sa.select(Opening).join(Opening.eligible_groups)
                              .where(Opening.status == OpeningStatus.PUBLISHED,
                                     ProjectGroup.id == seeded_group.id).order_by(Opening.id)).first()


def test_the_figures_are_read_from_the_cache_until_what_they_count_changes(seeded, count_queries):
    pnu, snu = seeded
    admin = make_admin()
    first = dashboard.dashboard(admin)
    with count_queries() as statements:
        again = dashboard.dashboard(admin)
    assert len(statements) == 2  # the groups in reach and the dashboard's stamp
    assert again.overall == first.overall and again.requested_skills == first.requested_skills
    assert [n.group.code for n in again.groups] == ["PNU", "SNU"]

    make_application(make_student(snu), _published(snu), status=ApplicationStatus.SUBMITTED)  # committed
    assert dashboard.dashboard(admin).overall.applications == first.overall.applications + 1

    # A conditional move (UPDATE ... WHERE status = ...) outside the unit of work is seen at once too.
    db.session.execute(sa.update(Application).where(Application.status == ApplicationStatus.SUBMITTED)
                       .values(status=ApplicationStatus.OFFERED))
    db.session.commit()
    assert dashboard.dashboard(admin).overall.offers == first.overall.offers + 2


def test_a_change_not_yet_committed_is_counted_in_its_own_transaction(seeded):
    pnu, snu = seeded
    admin = make_admin()
    before = dashboard.dashboard(admin).overall.applications
    student = make_student(pnu)
    db.session.add(Application(opening_id=_published(pnu).id, student_id=student.id, statement="Hello",
                               consent_at=utcnow(), consent_text="I agree.", status=ApplicationStatus.SUBMITTED))
    db.session.flush()
    assert dashboard.dashboard(admin).overall.applications == before + 1
    db.session.rollback()
    assert dashboard.dashboard(admin).overall.applications == before


def test_a_change_made_by_another_worker_shows_at_once(app, seeded):
    pnu, snu = seeded
    admin = make_admin()
    opening_id = _published(snu).id
    before = dashboard.dashboard(admin).overall.applications
    db.session.commit()
    writer = create_app({**{k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER")},
                         "SERVER_NAME": None})
    with writer.app_context():
        student = make_student(snu)
        make_application(student, db.session.get(Opening, opening_id), status=ApplicationStatus.SUBMITTED)
        db.session.remove()
    db.session.expire_all()
    assert dashboard.dashboard(admin).overall.applications == before + 1
